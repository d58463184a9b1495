# Golden digests: every dataset of every shipped config at a fixed seed and
# path count must match tests/golden/<config>.digest under 1 and 2 threads
# and two block sizes. scripts/update_golden.sh regenerates them.
add_test(NAME golden_digests
         COMMAND ${HP_PYTHON} ${HP_TEST_DIR}/golden_digest.py $<TARGET_FILE:hashpivot> ${CMAKE_SOURCE_DIR})
set_tests_properties(golden_digests PROPERTIES SKIP_RETURN_CODE 77 LABELS golden TIMEOUT 600)
