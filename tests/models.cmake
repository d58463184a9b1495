# Protocol rules and the model's closed forms.
hp_c_test(test_network ${HP_TEST_DIR}/test_network.c)
hp_c_test(test_deterministic ${HP_TEST_DIR}/test_deterministic.c ${HP_TEST_DIR}/testutil.c)

# Benchmark helper (not a test): the draw-and-exp floor loop.
add_executable(bench_floor ${HP_TEST_DIR}/bench_floor.c)
target_link_libraries(bench_floor hpsim)
# Network, miner and HPC variants: closed forms and 4-SE statistical checks.
hp_c_test(test_variants ${HP_TEST_DIR}/test_variants.c ${HP_TEST_DIR}/testutil.c)
# Model registries: one lookup by name, unknown names are errors.
hp_c_test(test_registry ${HP_TEST_DIR}/test_registry.c ${HP_TEST_DIR}/testutil.c)
# The firm: fleet cost curve, conversion order, terminal values, contracts.
hp_c_test(test_firm ${HP_TEST_DIR}/test_firm.c ${HP_TEST_DIR}/testutil.c)
# ASIC price per TH/s against hashprice: power law, floor, annuity, sourced points.
# The fleet refresh rule "frontier": the lag, the payback rule, its capex (closed forms).
hp_c_test(test_refresh ${HP_TEST_DIR}/test_refresh.c ${HP_TEST_DIR}/testutil.c)
# Re-equipping retired sites: the threshold, the re-entry month, its capex and the blend.
hp_c_test(test_reequip ${HP_TEST_DIR}/test_reequip.c ${HP_TEST_DIR}/testutil.c)
hp_c_test(test_asic ${HP_TEST_DIR}/test_asic.c ${HP_TEST_DIR}/testutil.c)
# The fleet hashrate model: cost curve in closed form, price shock through the engine.
hp_c_test(test_fleet ${HP_TEST_DIR}/test_fleet.c ${HP_TEST_DIR}/testutil.c)
# hashpivot trace against hashpivot run on the same seed.
add_test(NAME test_trace COMMAND ${HP_PYTHON} ${HP_TEST_DIR}/test_trace.py
         $<TARGET_FILE:hashpivot> ${CMAKE_SOURCE_DIR})
