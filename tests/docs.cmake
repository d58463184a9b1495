# docs: the repository explains itself. No tracked file cites a document
# outside it (tests/test_sources.py lists the patterns), and every
# docs/sources.md#<id> citation names an entry of docs/sources.md.
add_test(NAME sources_citations
         COMMAND ${HP_PYTHON} ${HP_TEST_DIR}/test_sources.py ${CMAKE_SOURCE_DIR})
