# gen-exports.cmake: the list of symbols libsandboxpy exports, read from the
# public header, so that the header is the one place the API is declared.
# Run with cmake -DHEADER=... -DMAP=... -DSYMS=... -P gen-exports.cmake.
# Writes MAP (a linker version script: these global, everything else local)
# and SYMS (one name a line, for objcopy and the export test).
file(READ "${HEADER}" text)
# Comments may name functions ("sbx_result_free()"); they are not exports.
string(REGEX REPLACE "/\\*([^*]|\\*+[^*/])*\\*+/" "" text "${text}")
string(REGEX REPLACE "//[^\n]*" "" text "${text}")

set(names "")
# Functions: an sbx_ name followed by "(" (a function pointer typedef,
# "(*sbx_cb)(", is followed by ")" and stays out).
string(REGEX MATCHALL "[ \t\n*]sbx_[a-z0-9_]+[ \t]*\\(" calls "${text}")
foreach(c IN LISTS calls)
  string(REGEX MATCH "sbx_[a-z0-9_]+" n "${c}")
  list(APPEND names ${n})
endforeach()
# Data: extern declarations.
string(REGEX MATCHALL "extern[^;(]*sbx_[a-z0-9_]+[ \t]*(\\[[^;]*\\])?[ \t]*;" vars "${text}")
foreach(v IN LISTS vars)
  # (the match's ";" split it from the next item: a CMake list)
  string(REGEX MATCH "sbx_[a-z0-9_]+[ \t]*(\\[[^;]*\\])?[ \t]*$" n "${v}")
  string(REGEX MATCH "sbx_[a-z0-9_]+" n "${n}")
  list(APPEND names ${n})
endforeach()
list(REMOVE_DUPLICATES names)
list(SORT names)
list(LENGTH names count)
if(count EQUAL 0)
  message(FATAL_ERROR "gen-exports: no sbx_ declarations found in ${HEADER}")
endif()

set(map "/* Generated from ${HEADER} by cmake/gen-exports.cmake. */\n{\n  global:\n")
set(syms "")
foreach(n IN LISTS names)
  string(APPEND map "    ${n};\n")
  string(APPEND syms "${n}\n")
endforeach()
string(APPEND map "  local:\n    *;\n};\n")
file(WRITE "${MAP}" "${map}")
file(WRITE "${SYMS}" "${syms}")
