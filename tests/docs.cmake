# docs: the repository explains itself. No tracked file cites a document
# outside it (tests/test_sources.py lists the patterns), and every
# docs/sources.md#<id> citation names an entry of docs/sources.md.
add_test(NAME sources_citations
         COMMAND ${HP_PYTHON} ${HP_TEST_DIR}/test_sources.py ${CMAKE_SOURCE_DIR})

# Every figure the README, docs/output.md and docs/validation.md quote from
# the code is a generated block (scripts/update_docs.py): the default run's
# summary table, its file sizes per output option, and what the thesis,
# replay and back-test tests print. This reruns them
# (the default at its own 10,000 paths) and fails, printing the diff and the
# one command that regenerates them, when a block no longer matches. The
# history blocks are skipped, saying so, where the daily history is absent.
add_test(NAME docs_figures
         COMMAND ${HP_PYTHON} ${CMAKE_SOURCE_DIR}/scripts/update_docs.py --check
                 --hashpivot $<TARGET_FILE:hashpivot> --root ${CMAKE_SOURCE_DIR}
                 --tests-dir $<TARGET_FILE_DIR:test_thesis> --history ${HP_HISTORY_CSV})
set_tests_properties(docs_figures PROPERTIES LABELS docs TIMEOUT 1200)
