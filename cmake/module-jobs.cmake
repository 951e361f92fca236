# Jobs (src/jobs): the queue in the room's catalog, fair share, quotas, the
# executors (local, slurm), the bubblewrap sandbox and the runner. Above
# the vault and the room; the web service (src/web) drives it. The link
# from web is deferred: this file is read before module-room.cmake makes
# atelier_web. Part of atelier_lib.
atelier_module(jobs USES vault room)
cmake_language(DEFER CALL target_link_libraries atelier_web PUBLIC atelier_jobs)
target_link_libraries(atelier_lib INTERFACE atelier_jobs)
