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
  return sc_core::sc_elab_and_sim(argc, argv);
}
