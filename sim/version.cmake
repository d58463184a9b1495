# Writes generated/version.h at every build (cmake -P), not only at
# configure time: the commit id stamped into every results file must be the
# one the binary was built from. A tree with uncommitted changes to tracked
# files is marked: the commit becomes "<commit>+dirty.<first 8 hex of the
# SHA-256 of `git diff HEAD`>", so that two builds with different edits
# never share an id and --resume refuses a file from another one, while a
# rebuild of the same edits keeps its id. configure_file rewrites the
# header only when its text changes, so nothing recompiles needlessly.
#   cmake -DSRC=<source dir> -DIN=<version.h.in> -DOUT=<version.h>
#         -DPROJECT_VERSION=<x.y.z> -DHP_HDF5_FLAVOUR=<serial|openmpi> -P version.cmake
execute_process(COMMAND git rev-parse --short=12 HEAD WORKING_DIRECTORY ${SRC}
                OUTPUT_VARIABLE HP_GIT_COMMIT OUTPUT_STRIP_TRAILING_WHITESPACE
                RESULT_VARIABLE rc ERROR_QUIET)
if(NOT rc EQUAL 0 OR NOT HP_GIT_COMMIT)
  set(HP_GIT_COMMIT "unknown")
else()
  execute_process(COMMAND git status --porcelain --untracked-files=no WORKING_DIRECTORY ${SRC}
                  OUTPUT_VARIABLE changes ERROR_QUIET)
  if(changes)
    execute_process(COMMAND git diff HEAD --no-ext-diff --binary WORKING_DIRECTORY ${SRC}
                    OUTPUT_VARIABLE diff ERROR_QUIET)
    string(SHA256 digest "${diff}")
    string(SUBSTRING "${digest}" 0 8 digest)
    set(HP_GIT_COMMIT "${HP_GIT_COMMIT}+dirty.${digest}")
  endif()
endif()
configure_file(${IN} ${OUT} @ONLY)
