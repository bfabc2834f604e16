// The processes a sweep runs on: MPI's ranks when xbar was started by mpirun (OpenMPI), one
// process otherwise. Only the sweep's parent processes talk MPI; the forked point children
// never do (they _exit without touching it).
#pragma once

#include <string>

namespace xbar::sweep {

class Ranks {
 public:
  enum Tag : int { kRequest = 1, kAssign = 2, kFinished = 3 };

  Ranks();  // MPI_Init when launched by mpirun
  ~Ranks();
  Ranks(const Ranks&) = delete;
  Ranks& operator=(const Ranks&) = delete;

  int rank() const { return rank_; }
  int size() const { return size_; }

  // Rank 0's value, on every rank.
  int broadcast(int value) const;
  void send(int dest, Tag tag, const std::string& text) const;
  // A message that has arrived, if any; never blocks.
  bool receive(int& source, Tag& tag, std::string& text) const;
  // Ends every rank: one failing rank must not leave the others waiting for it.
  [[noreturn]] void abort(int code) const;
  // Ends this rank alone, after MPI_Finalize.
  [[noreturn]] void exit(int code) const;

 private:
  bool mpi_ = false;
  int rank_ = 0;
  int size_ = 1;
};

}  // namespace xbar::sweep
