# DICOM module: the data dictionary is generated at build time from DCMTK's
# dicom.dic (Debian package dcmtk) by cmake/dicom_dict_gen.py. DCMTK's data
# is never committed.
set(ATELIER_DICOM_DIC "/usr/share/libdcmtk17/dicom.dic" CACHE FILEPATH "DCMTK data dictionary used to generate atelier's")
if(NOT EXISTS ${ATELIER_DICOM_DIC})
  message(FATAL_ERROR "DICOM dictionary ${ATELIER_DICOM_DIC} not found (install the dcmtk package)")
endif()
set(ATELIER_DICOM_DICT_H ${CMAKE_BINARY_DIR}/generated/atelier_dicom_dict.h)
add_custom_command(
  OUTPUT ${ATELIER_DICOM_DICT_H}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/generated
  COMMAND /usr/bin/python3 ${CMAKE_SOURCE_DIR}/cmake/dicom_dict_gen.py ${ATELIER_DICOM_DIC} ${ATELIER_DICOM_DICT_H}
  DEPENDS ${CMAKE_SOURCE_DIR}/cmake/dicom_dict_gen.py ${ATELIER_DICOM_DIC}
  COMMENT "Generating the DICOM data dictionary from ${ATELIER_DICOM_DIC}"
  VERBATIM)
add_custom_target(atelier_dicom_dict DEPENDS ${ATELIER_DICOM_DICT_H})
target_sources(atelier_dicom PRIVATE ${ATELIER_DICOM_DICT_H})
add_dependencies(atelier_dicom atelier_dicom_dict)
