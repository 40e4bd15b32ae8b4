cmake_minimum_required(VERSION 3.25)
# Fails when an #include points up or sideways in kpidb's module graph.
# Run as: cmake -DSOURCE_DIR=<source tree> -DMANIFEST=<kpidb_layers.cmake>
#               -P CheckLayers.cmake
# The manifest (written by kpidb_write_layer_manifest) lists each module's
# closure (itself and every module below it) and each public header's owner.
include(${MANIFEST})

set(violations "")

# Checks one file's quoted includes against the modules in `allowed`.
# `who` names the file's layer in messages.
function(check_file file who allowed allow_lib_util_only)
  file(STRINGS ${file} lines REGEX "^[ \t]*#[ \t]*include[ \t]+\"")
  set(found "")
  foreach(line IN LISTS lines)
    if(line MATCHES "\"lib/([a-z_]+)/")
      set(target ${CMAKE_MATCH_1})
      set(what "lib/${target}")
    elseif(line MATCHES "\"kpidb/([a-z_]+\\.h)\"")
      set(h ${CMAKE_MATCH_1})
      if(NOT DEFINED KPIDB_OWNER_${h})
        list(APPEND found "${file}: includes kpidb/${h}, which no module owns")
        continue()
      endif()
      set(target ${KPIDB_OWNER_${h}})
      set(what "kpidb/${h} (lib/${target})")
    else()
      continue()
    endif()
    if(allow_lib_util_only)
      if(what MATCHES "^lib/" AND NOT target STREQUAL "util")
        list(APPEND found
             "${file}: ${who} may include public headers and lib/util only, not ${what}")
      endif()
      continue()
    endif()
    if(NOT target IN_LIST allowed)
      list(APPEND found "${file}: ${who} includes ${what}, which is not below it")
    endif()
  endforeach()
  set(violations ${violations} ${found} PARENT_SCOPE)
endfunction()

foreach(m IN LISTS KPIDB_MODULES)
  file(GLOB files ${SOURCE_DIR}/lib/${m}/*.h ${SOURCE_DIR}/lib/${m}/*.cc)
  foreach(f IN LISTS files)
    check_file(${f} "lib/${m}" "${KPIDB_CLOSURE_${m}}" FALSE)
  endforeach()
endforeach()

# Public headers: only public headers of their own module or below, never
# anything from lib/.
file(GLOB headers ${SOURCE_DIR}/include/kpidb/*.h)
foreach(f IN LISTS headers)
  get_filename_component(h ${f} NAME)
  if(NOT DEFINED KPIDB_OWNER_${h})
    list(APPEND violations "${f}: public header owned by no module")
    continue()
  endif()
  set(owner ${KPIDB_OWNER_${h}})
  file(STRINGS ${f} lib_lines REGEX "#[ \t]*include[ \t]+\"lib/")
  if(lib_lines)
    list(APPEND violations "${f}: a public header includes lib/")
  endif()
  check_file(${f} "public header ${h} (lib/${owner})" "${KPIDB_CLOSURE_${owner}}" FALSE)
endforeach()

# Folders outside lib/ that must not reach into the implementation.
file(GLOB tool_files ${SOURCE_DIR}/tools/*.h ${SOURCE_DIR}/tools/*.cc)
foreach(f IN LISTS tool_files)
  check_file(${f} "tools/" "" TRUE)
endforeach()

# Every folder of lib/ is a module.
file(GLOB dirs LIST_DIRECTORIES true ${SOURCE_DIR}/lib/*)
foreach(d IN LISTS dirs)
  if(IS_DIRECTORY ${d})
    get_filename_component(name ${d} NAME)
    file(GLOB code ${d}/*.h ${d}/*.cc)
    if(code AND NOT name IN_LIST KPIDB_MODULES)
      list(APPEND violations "${d}: a lib/ folder that is not a module in lib/CMakeLists.txt")
    endif()
  endif()
endforeach()

if(violations)
  list(JOIN violations "\n  " text)
  message(FATAL_ERROR "kpidb layering violated:\n  ${text}\n"
                      "Modules and their order: lib/CMakeLists.txt; "
                      "the rule: doc/impl.md.")
endif()
