# The airlock (src/airlock): export requests, automated checks, reviews and
# signed release packages. Above jobs, vault and room; its checks use the
# French text detector (text), the DICOM door (deid) with that detector on
# its text (deid_text), and read risk models' vocabulary. The web service
# (src/web) drives it. The link from web is deferred: this file is read
# before module-room.cmake makes atelier_web.
# Part of atelier_lib.
atelier_module(airlock USES jobs vault room text deid deid_text)
cmake_language(DEFER CALL target_link_libraries atelier_web PUBLIC atelier_airlock)
target_link_libraries(atelier_lib INTERFACE atelier_airlock)
