# deid module. clang does not know GCC's -Wno-format-truncation (set for
# every target in CMakeLists.txt), and -Werror turns that into an error,
# which stops clang builds (make fuzz). Tell clang to ignore unknown warning
# options; gcc builds are unchanged.
if(CMAKE_C_COMPILER_ID MATCHES "Clang")
  add_compile_options(-Wno-unknown-warning-option)
  target_compile_options(atelier_lib PRIVATE -Wno-unknown-warning-option)
endif()
