#include "power/jetson_board.hpp"

#include <iterator>
#include <map>
#include <mutex>

#include "power/jetson_monitor_files.hpp"
#include "power/sysfs.hpp"

namespace layer_energy::power::jetson {
namespace {

// The live boards by root. Entries expire with their board and are swept on the next open.
struct Cache {
  std::mutex mutex;
  std::map<std::string, std::weak_ptr<const Board>> boards;
};

Cache& cache() {
  static Cache instance;  // constructed on first use, thread-safe (C++11 magic statics)
  return instance;
}

// "DIR/" and "DIR" name one tree (sysfs::join treats them alike), and so do "/" and "".
std::string normalized(std::string root) {
  while (!root.empty() && root.back() == '/') root.pop_back();
  return root;
}

std::string read_model(const std::string& root) {
  const auto model = sysfs::read_line(sysfs::join(root, "/proc/device-tree/model"));
  if (!model || trim(*model).empty()) return "unknown Jetson";
  return trim(*model);
}

}  // namespace

Board::Board(const std::string& sysfs_root)
    : sysfs_root_(sysfs_root),
      model_(read_model(sysfs_root)),
      monitors_(discover_monitors(sysfs_root)),
      gpu_devfreq_(find_gpu_devfreq(sysfs_root)),
      gpu_thermal_zone_(find_gpu_thermal_zone(sysfs_root)),
      nvpmodel_(read_nvpmodel(sysfs_root)) {}

std::shared_ptr<const Board> Board::open(const std::string& sysfs_root) {
  const std::string root = normalized(sysfs_root);
  Cache& shared = cache();
  // Held across the discovery too, so two threads asking for one root at once still get one board. ~Board never
  // takes it, so a board released inside this scope cannot deadlock.
  std::lock_guard<std::mutex> lock(shared.mutex);
  for (auto it = shared.boards.begin(); it != shared.boards.end();) {
    it = it->second.expired() ? shared.boards.erase(it) : std::next(it);
  }
  if (auto found = shared.boards.find(root); found != shared.boards.end()) {
    if (std::shared_ptr<const Board> live = found->second.lock()) return live;
  }
  std::shared_ptr<const Board> board(new Board(root));
  shared.boards[root] = board;
  return board;
}

}  // namespace layer_energy::power::jetson
