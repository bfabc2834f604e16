// A sweep (`xbar sweep SWEEP.yaml -o DIR [-j N] [--timeout S]`): every point of a sweep in its own
// process (SystemC elaborates once per process), N at a time. Nothing is lost: a finished
// point is written atomically to DIR/points/ID.json and then recorded in DIR/journal.jsonl;
// running the same command again skips what the journal records. A point that fails or times
// out is recorded with its error and the sweep goes on. DIR/results.csv and results.jsonl are
// rewritten from the points at the end.
//
// Under `mpirun -n R xbar sweep ...` rank 0 coordinates: it owns DIR and the journal, runs N
// points itself and hands the others out one at a time to the ranks that ask; each rank runs
// N at a time and sends back each point's record, so only rank 0 needs DIR.
#pragma once

#include <string>

#include "xbar/sweep/sweep_spec.h"

namespace xbar::sweep {

struct SweepOptions {
  std::string file;
  std::string outDir;
  int jobs = 1;
  double timeoutS = 0;  // 0: none
  SweepPaths paths;
};

// Runs the sweep (under mpirun, on every rank). Throws InputError for a bad sweep file or
// flag; under mpirun a failing rank ends every rank with exit status 1 (bad input) or 2.
void runSweep(const SweepOptions& options);

}  // namespace xbar::sweep
