# The MPI build's tests (HP_MPI=ON only), label "mpi": 1-3 ranks against
# the serial build, SIGTERM and resume across rank counts and builds, and
# the Slurm batch template on a one-node Slurm started by the test
# (skipped, exit 77, where Slurm is not installed).
if(HP_MPI)
  set(HP_SERIAL_BIN "" CACHE FILEPATH "a serial build's hashpivot: the reference of the MPI tests")
  if(HP_SERIAL_BIN)
    set(hp_ref_bin ${HP_SERIAL_BIN})
  else()
    set(hp_ref_bin $<TARGET_FILE:hashpivot>)
  endif()
  add_test(NAME mpi_ranks_resume
           COMMAND bash ${HP_TEST_DIR}/test_mpi.sh $<TARGET_FILE:hashpivot> ${CMAKE_SOURCE_DIR}
                   ${MPIEXEC_EXECUTABLE} ${HP_SERIAL_BIN})
  add_test(NAME mpi_slurm_sbatch
           COMMAND bash ${HP_TEST_DIR}/test_slurm.sh $<TARGET_FILE:hashpivot> ${CMAKE_SOURCE_DIR} ${hp_ref_bin})
  set_tests_properties(mpi_ranks_resume mpi_slurm_sbatch PROPERTIES
                       LABELS mpi PROCESSORS 2 TIMEOUT 900 SKIP_RETURN_CODE 77)
endif()
