# Decision analytics (issue 9): statistics with errors, in-process path
# runs, sensitivity, break-even solving, global sensitivity, Sobol points.
hp_c_test(test_stats ${HP_TEST_DIR}/test_stats.c)
hp_c_test(test_pathrun ${HP_TEST_DIR}/test_pathrun.c ${HP_TEST_DIR}/testutil.c)
hp_c_test(test_target ${HP_TEST_DIR}/test_target.c ${HP_TEST_DIR}/testutil.c)
# Revaluation of a simulated path under other valuation keys, bit for bit.
add_executable(test_revalue ${HP_TEST_DIR}/test_revalue.c)
target_include_directories(test_revalue PRIVATE ${HP_TEST_DIR})
target_link_libraries(test_revalue hpmodels hpsim)
add_test(NAME test_revalue COMMAND test_revalue ${CMAKE_SOURCE_DIR})
add_test(NAME analytics_sensitivity
         COMMAND ${HP_PYTHON} ${HP_TEST_DIR}/test_sensitivity.py $<TARGET_FILE:hashpivot> ${CMAKE_SOURCE_DIR})
add_test(NAME analytics_revalue_routes
         COMMAND ${HP_PYTHON} ${HP_TEST_DIR}/test_revalue_routes.py $<TARGET_FILE:hashpivot> ${CMAKE_SOURCE_DIR})
hp_c_test(test_solve ${HP_TEST_DIR}/test_solve.c)
hp_c_test(test_target_se ${HP_TEST_DIR}/test_target_se.c)
add_test(NAME analytics_cli
         COMMAND ${HP_PYTHON} ${HP_TEST_DIR}/test_analysis_cli.py $<TARGET_FILE:hashpivot> ${CMAKE_SOURCE_DIR})
hp_c_test(test_sobol ${HP_TEST_DIR}/test_sobol.c)
target_compile_definitions(test_sobol PRIVATE HP_SOBOL_KAT="${HP_TEST_DIR}/data/sobol_kat.txt")
hp_c_test(test_gsa ${HP_TEST_DIR}/test_gsa.c)

# Benchmark helper (not a test): scripts/bench_analysis.sh runs it.
add_executable(bench_qmc ${HP_TEST_DIR}/bench_qmc.c)
target_link_libraries(bench_qmc hpsim)
# run --target-se: the path count a standard error needs (tests/test_run_target.py).
add_test(NAME analytics_run_target
         COMMAND ${HP_PYTHON} ${HP_TEST_DIR}/test_run_target.py $<TARGET_FILE:hashpivot> ${CMAKE_SOURCE_DIR})
