#include "cli.h"

int main(int argc, char** argv) {
  return xbar::cli::run(argc, argv);
}
