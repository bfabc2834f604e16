#include <cstdlib>

#include <systemc>

#include "cli.h"

// libsystemc wants an sc_main (docs/building.md); it is xbar's real entry point.
extern "C" int sc_main(int argc, char** argv) {
  return xbar::cli::run(argc, argv);
}

// Our own main() takes precedence over libsystemc's, so the banner SystemC prints on stdout
// at start-up can be switched off before SystemC starts.
int main(int argc, char** argv) {
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
  // oneDNN's OpenMP workers otherwise spin between the references' kernels, taking a core
  // from everything else validate does; the user's own setting wins.
  setenv("OMP_WAIT_POLICY", "PASSIVE", 0);
  return sc_core::sc_elab_and_sim(argc, argv);
}
