# The classroom (src/classroom): courses on synthetic cohorts, enrolment,
# assignments with hidden splits, submissions scored by sandboxed jobs.
# Above jobs (vault, room) and the pipelines it generates and splits data
# with (synth, risk, text, sct). The web service and the CLI drive it; the link
# from web is deferred as the jobs' is. Part of atelier_lib.
atelier_module(classroom USES jobs vault room synth risk text sct)
cmake_language(DEFER CALL target_link_libraries atelier_web PUBLIC atelier_classroom)
target_link_libraries(atelier_lib INTERFACE atelier_classroom)
