# The room (src/room: catalog, accounts, authorisation, audit) and its web
# service (src/web: libmicrohttpd with GnuTLS, pages, the JSON API), and
# the CLI's client (libcurl). Their sources are globbed into atelier_lib
# by CMakeLists.txt; this file adds what they link.
pkg_check_modules(ROOM_DEPS REQUIRED IMPORTED_TARGET libmicrohttpd gnutls nettle libcurl libqrencode sqlite3)
target_link_libraries(atelier_lib PUBLIC PkgConfig::ROOM_DEPS)
# The web pages' styles: Debian's libjs-bootstrap5, read at run time from
# /usr/share/javascript (the room's static_dir setting).
