# The room (src/room: catalog, accounts, authorisation, audit) and its web
# service (src/web: libmicrohttpd with GnuTLS, pages, the JSON API), and
# the CLI's client (libcurl): two module targets (room -> core, web ->
# room), part of atelier_lib.
pkg_check_modules(ROOM_DEPS REQUIRED IMPORTED_TARGET libmicrohttpd gnutls nettle libcurl libqrencode sqlite3)
atelier_module(room USES core LIBS PkgConfig::ROOM_DEPS)
atelier_module(web USES room LIBS PkgConfig::ROOM_DEPS)
target_link_libraries(atelier_lib INTERFACE atelier_web PkgConfig::ROOM_DEPS)
# The web pages' styles: Debian's libjs-bootstrap5, read at run time from
# /usr/share/javascript (the room's static_dir setting).
