#include "xbar/sweep/ranks.h"

#include <mpi.h>

#include <cstdlib>

namespace xbar::sweep {
namespace {

// OpenMPI's mpirun sets these in every rank's environment; without them xbar runs alone and
// never starts MPI (a singleton MPI_Init would spawn a runtime daemon for nothing).
bool launchedByMpirun() {
  return std::getenv("OMPI_COMM_WORLD_SIZE") != nullptr || std::getenv("PMIX_RANK") != nullptr;
}

}  // namespace

Ranks::Ranks() {
  if (!launchedByMpirun()) return;
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (!initialized) MPI_Init(nullptr, nullptr);
  mpi_ = true;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
}

Ranks::~Ranks() {
  if (mpi_) MPI_Finalize();
}

int Ranks::broadcast(int value) const {
  if (mpi_) MPI_Bcast(&value, 1, MPI_INT, 0, MPI_COMM_WORLD);
  return value;
}

void Ranks::send(int dest, Tag tag, const std::string& text) const {
  MPI_Send(text.data(), static_cast<int>(text.size()), MPI_CHAR, dest, tag, MPI_COMM_WORLD);
}

bool Ranks::receive(int& source, Tag& tag, std::string& text) const {
  if (!mpi_) return false;
  int arrived = 0;
  MPI_Status status;
  MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &arrived, &status);
  if (!arrived) return false;
  int count = 0;
  MPI_Get_count(&status, MPI_CHAR, &count);
  text.assign(static_cast<size_t>(count), '\0');
  MPI_Recv(text.data(), count, MPI_CHAR, status.MPI_SOURCE, status.MPI_TAG, MPI_COMM_WORLD,
           MPI_STATUS_IGNORE);
  source = status.MPI_SOURCE;
  tag = static_cast<Tag>(status.MPI_TAG);
  return true;
}

void Ranks::abort(int code) const {
  if (mpi_) MPI_Abort(MPI_COMM_WORLD, code);
  std::exit(code);
}

void Ranks::exit(int code) const {
  if (mpi_) MPI_Finalize();
  std::exit(code);
}

}  // namespace xbar::sweep
