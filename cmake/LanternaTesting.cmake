# Shared helper to register a GoogleTest executable with ctest.
# lanterna_add_gtest(NAME name SOURCES ... LIBS ... [LABELS unit|model|gpu])
include_guard(GLOBAL)
find_package(GTest QUIET)
if(NOT GTest_FOUND)
  # Machines without libgtest-dev (e.g. a GPU box with pip torch): build GoogleTest from a source copy.
  set(LANTERNA_GTEST_SOURCE_DIR "${LANTERNA_THIRD_PARTY}/googletest" CACHE PATH "GoogleTest sources")
  add_subdirectory(${LANTERNA_GTEST_SOURCE_DIR} ${CMAKE_BINARY_DIR}/_googletest EXCLUDE_FROM_ALL)
  add_library(GTest::gtest ALIAS gtest)
  add_library(GTest::gtest_main ALIAS gtest_main)
endif()
include(GoogleTest)

function(lanterna_add_gtest)
  cmake_parse_arguments(ARG "" "NAME" "SOURCES;LIBS;LABELS" ${ARGN})
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)
  endif()
  add_executable(${ARG_NAME} ${ARG_SOURCES})
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_LIBS} GTest::gtest GTest::gtest_main)
  target_compile_definitions(${ARG_NAME} PRIVATE
    LANTERNA_SHARED_DIR_DEFAULT="${LANTERNA_SHARED_DIR}"
    LANTERNA_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  # Skipped gtests (GTEST_SKIP, e.g. shared/ absent) are reported by ctest as skipped, not passed.
  gtest_discover_tests(${ARG_NAME}
    DISCOVERY_TIMEOUT 120
    PROPERTIES LABELS "${ARG_LABELS}" SKIP_REGULAR_EXPRESSION "  SKIPPED ]"
               ENVIRONMENT "LANTERNA_SHARED_DIR=${LANTERNA_SHARED_DIR};QT_QPA_PLATFORM=offscreen")
endfunction()
