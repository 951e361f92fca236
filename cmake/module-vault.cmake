# The vault (src/vault): the room's encrypted, content-addressed store. The
# engine needs only core (libsodium, zlib), so that it builds and is tested
# alone; the graph (scripts/check-modules.py) lets it use the room too, for
# the catalog's wiring to come. Part of atelier_lib.
atelier_module(vault USES core)
target_link_libraries(atelier_lib INTERFACE atelier_vault)
