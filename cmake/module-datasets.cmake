# The vault inside the room (src/datasets): a project's datasets and
# snapshots in the catalog, imports through the door (DICOM and text
# de-identification with the room's site key), reading, lineage, storage
# quotas, the room's gc. Above jobs (whose dataset tables it shares), the
# vault and the room; the web service (src/web) drives it. The link from
# web is deferred: this file is read before module-room.cmake makes
# atelier_web. Part of atelier_lib.
atelier_module(datasets USES jobs vault room text deid)
cmake_language(DEFER CALL target_link_libraries atelier_web PUBLIC atelier_datasets)
target_link_libraries(atelier_lib INTERFACE atelier_datasets)
