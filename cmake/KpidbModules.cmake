# kpidb's library is built from one CMake target per lib/ folder (a module),
# and the build checks that modules only point down.
#
#   kpidb_module(<name> [DEPS <module>...] [HEADERS <public header>...]
#                [LIBS <target>...] [HEADER_ONLY <target>...])
#
# declares lib/<name>/ as the OBJECT library kpidb_<name>. DEPS are the
# modules directly below it; they must have been declared already, so the
# order of declarations is a topological order and a cycle cannot be
# written down. HEADERS are the public headers (include/kpidb/) the module
# implements. LIBS are third-party libraries its code calls (the installed
# static library needs them at link time); HEADER_ONLY ones are needed only
# while compiling it.
#
# kpidb_library() then archives every module into the one static library
# `kpidb` and adds the layering check (cmake/CheckLayers.cmake) to the build:
# a file in lib/<m>/ may include lib/<d>/... or a public header owned by <d>
# only when <d> is <m> or below it, and tools/ may include public headers
# and lib/util only. A violation fails the build.

set(KPIDB_MODULE_DIR ${CMAKE_CURRENT_LIST_DIR})

# Libraries the public headers need, so every user of kpidb links them.
set(KPIDB_PUBLIC_LIBS absl::status absl::statusor absl::strings absl::time
    absl::civil_time absl::span)

function(kpidb_module name)
  cmake_parse_arguments(PARSE_ARGV 1 M "" "" "DEPS;HEADERS;LIBS;HEADER_ONLY")
  set(closure ${name})
  set(dep_targets "")
  foreach(dep IN LISTS M_DEPS)
    if(NOT TARGET kpidb_${dep})
      message(FATAL_ERROR
        "lib/${name} depends on lib/${dep}, which is not declared before it. "
        "Modules are declared bottom-up in lib/CMakeLists.txt; a module "
        "may only depend on modules below it.")
    endif()
    get_property(dep_closure GLOBAL PROPERTY KPIDB_CLOSURE_${dep})
    list(APPEND closure ${dep_closure})
    list(APPEND dep_targets kpidb_${dep})
  endforeach()
  list(REMOVE_DUPLICATES closure)
  set_property(GLOBAL PROPERTY KPIDB_CLOSURE_${name} "${closure}")

  file(GLOB srcs CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/${name}/*.cc)
  file(GLOB hdrs CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/${name}/*.h)
  add_library(kpidb_${name} OBJECT ${srcs} ${hdrs})
  target_include_directories(kpidb_${name}
    PUBLIC ${PROJECT_SOURCE_DIR}/include ${PROJECT_SOURCE_DIR})
  target_link_libraries(kpidb_${name}
    PUBLIC ${dep_targets} ${KPIDB_PUBLIC_LIBS}
    PRIVATE ${M_LIBS} ${M_HEADER_ONLY})
  target_compile_definitions(kpidb_${name} PRIVATE KPIDB_VERSION="${PROJECT_VERSION}")
  set_target_properties(kpidb_${name} PROPERTIES POSITION_INDEPENDENT_CODE ON)

  set_property(GLOBAL APPEND PROPERTY KPIDB_MODULES ${name})
  set_property(GLOBAL APPEND PROPERTY KPIDB_LINK_LIBS ${M_LIBS})
  set_property(GLOBAL APPEND PROPERTY KPIDB_CHECKED_FILES ${srcs} ${hdrs})
  foreach(h IN LISTS M_HEADERS)
    if(NOT EXISTS ${PROJECT_SOURCE_DIR}/include/kpidb/${h})
      message(FATAL_ERROR "lib/${name}: no public header include/kpidb/${h}")
    endif()
    set_property(GLOBAL PROPERTY KPIDB_OWNER_${h} ${name})
    set_property(GLOBAL APPEND PROPERTY KPIDB_CHECKED_FILES
                 ${PROJECT_SOURCE_DIR}/include/kpidb/${h})
  endforeach()
endfunction()

# Writes the module graph for CheckLayers.cmake and returns its path in
# `out_var`.
function(kpidb_write_layer_manifest out_var)
  get_property(modules GLOBAL PROPERTY KPIDB_MODULES)
  set(text "set(KPIDB_MODULES \"${modules}\")\n")
  foreach(m IN LISTS modules)
    get_property(c GLOBAL PROPERTY KPIDB_CLOSURE_${m})
    string(APPEND text "set(KPIDB_CLOSURE_${m} \"${c}\")\n")
  endforeach()
  file(GLOB headers RELATIVE ${PROJECT_SOURCE_DIR}/include/kpidb
       CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/include/kpidb/*.h)
  foreach(h IN LISTS headers)
    get_property(owner GLOBAL PROPERTY KPIDB_OWNER_${h})
    if(NOT owner)
      message(FATAL_ERROR "include/kpidb/${h} is owned by no module: name it "
                          "in the HEADERS of the lib/ module that implements it")
    endif()
    string(APPEND text "set(KPIDB_OWNER_${h} ${owner})\n")
  endforeach()
  set(path ${PROJECT_BINARY_DIR}/kpidb_layers.cmake)
  file(CONFIGURE OUTPUT ${path} CONTENT "${text}")
  set(${out_var} ${path} PARENT_SCOPE)
endfunction()

function(kpidb_library)
  get_property(modules GLOBAL PROPERTY KPIDB_MODULES)
  get_property(link_libs GLOBAL PROPERTY KPIDB_LINK_LIBS)
  list(REMOVE_DUPLICATES link_libs)
  set(objects "")
  foreach(m IN LISTS modules)
    list(APPEND objects $<TARGET_OBJECTS:kpidb_${m}>)
  endforeach()
  add_library(kpidb STATIC ${objects})
  add_library(kpidb::kpidb ALIAS kpidb)
  set_target_properties(kpidb PROPERTIES LINKER_LANGUAGE CXX
                                         POSITION_INDEPENDENT_CODE ON)
  target_include_directories(kpidb PUBLIC
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
  target_link_libraries(kpidb PUBLIC ${KPIDB_PUBLIC_LIBS} PRIVATE ${link_libs})

  kpidb_write_layer_manifest(manifest)
  file(GLOB tool_files CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/tools/*.cc
       ${PROJECT_SOURCE_DIR}/tools/*.h)
  get_property(checked GLOBAL PROPERTY KPIDB_CHECKED_FILES)
  set(stamp ${PROJECT_BINARY_DIR}/kpidb_layers.ok)
  add_custom_command(
    OUTPUT ${stamp}
    COMMAND ${CMAKE_COMMAND} -DSOURCE_DIR=${PROJECT_SOURCE_DIR}
            -DMANIFEST=${manifest} -P ${KPIDB_MODULE_DIR}/CheckLayers.cmake
    COMMAND ${CMAKE_COMMAND} -E touch ${stamp}
    DEPENDS ${checked} ${tool_files} ${manifest}
            ${KPIDB_MODULE_DIR}/CheckLayers.cmake
    COMMENT "Checking that lib/ modules include only modules below them"
    VERBATIM)
  add_custom_target(kpidb_layers ALL DEPENDS ${stamp})
  # Before any module compiles, so a violation is reported as such rather
  # than as the compile errors it may cause.
  foreach(m IN LISTS modules)
    add_dependencies(kpidb_${m} kpidb_layers)
  endforeach()
endfunction()
