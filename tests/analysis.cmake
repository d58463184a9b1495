# Analyst tooling: `hashpivot info`, scripts/report.py, scripts/compare.py and
# reading results with xarray. Python tests run on Debian's python3 (HP_PYTHON)
# with h5py, numpy, matplotlib, xarray and h5netcdf; each runs a small simulation.
set(HP_BIN $<TARGET_FILE:hashpivot>)
foreach(t info report compare xarray hp_stats)
  add_test(NAME analysis_${t}
           COMMAND ${HP_PYTHON} ${HP_TEST_DIR}/test_${t}.py ${HP_BIN} ${CMAKE_SOURCE_DIR})
endforeach()
# matplotlib caches fonts under $MPLCONFIGDIR; a private one keeps the tests
# off the user's home and safe to run in parallel.
set_tests_properties(analysis_report PROPERTIES
                     ENVIRONMENT "MPLCONFIGDIR=${CMAKE_CURRENT_BINARY_DIR}/mplconfig")

# report.py and compare.py on truncated, bit-flipped and foreign files: one
# line and a non-zero exit, never a traceback. About 60-200 s alone; ctest's
# timeout is the only one (the runner had its own 600 s, which a machine
# loaded three times over exceeded), sized for such a machine.
add_test(NAME analysis_damaged_files
         COMMAND ${HP_PYTHON} ${HP_TEST_DIR}/test_readers_damaged.py ${HP_BIN} ${CMAKE_SOURCE_DIR})
set_tests_properties(analysis_damaged_files PROPERTIES TIMEOUT 1800)
