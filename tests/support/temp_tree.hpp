// A fixture tree copied into a fresh temporary directory, so a test can write to it (counter values, broken files)
// without touching tests/fixtures; removed when it goes out of scope.
#pragma once

#include <stdlib.h>  // mkdtemp
#include <unistd.h>  // symlink

#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <string>

namespace layer_energy::test {

class TempTree {
 public:
  // Copies the contents of directory `source` (cp -a: symlinks stay links, modes kept). Throws std::runtime_error.
  explicit TempTree(const std::string& source) {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/layer-energy-test-XXXXXX";
    if (!::mkdtemp(&pattern[0])) throw std::runtime_error("mkdtemp failed for " + pattern);
    path_ = pattern;
    if (std::system(("cp -a " + quote(source + "/.") + " " + quote(path_ + "/")).c_str()) != 0) {
      remove();
      throw std::runtime_error("cannot copy " + source + " to " + path_);
    }
  }
  ~TempTree() { remove(); }
  TempTree(const TempTree&) = delete;
  TempTree& operator=(const TempTree&) = delete;

  // The copy's root: pass it as the sysfs root.
  const std::string& path() const { return path_; }
  // path() + relative ("/sys/class/powercap/intel-rapl:0/energy_uj"); follows the tree's symlinks when opened.
  std::string operator/(const std::string& relative) const { return path_ + relative; }

  // Overwrites a file in the copy (through symlinks, as sysfs writes would go); throws when it cannot.
  void write(const std::string& relative, const std::string& text) const {
    std::ofstream file(*this / relative, std::ios::trunc);
    file << text;
    if (!file.flush()) throw std::runtime_error("cannot write " + (*this / relative));
  }

  // Creates a directory and its parents in the copy (mkdir -p); throws when it cannot.
  void make_directory(const std::string& relative) const {
    if (std::system(("mkdir -p " + quote(*this / relative)).c_str()) != 0) {
      throw std::runtime_error("cannot create " + (*this / relative));
    }
  }

  // Creates the symlink `relative` -> `target` (relative targets keep the tree movable, as sysfs's own links are).
  void link(const std::string& target, const std::string& relative) const {
    if (::symlink(target.c_str(), (*this / relative).c_str()) != 0) {
      throw std::runtime_error("cannot link " + (*this / relative) + " to " + target);
    }
  }

 private:
  static std::string quote(const std::string& s) {
    std::string quoted = "'";
    for (const char c : s) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return quoted + "'";
  }

  // chmod first: a test may have made part of the tree unreadable, which would stop rm as a non-root user.
  void remove() const {
    if (path_.empty()) return;
    const std::string q = quote(path_);
    const int rc = std::system(("chmod -R u+rwX " + q + " 2>/dev/null; rm -rf " + q).c_str());
    static_cast<void>(rc);  // nothing useful to do in a destructor when cleanup fails
  }

  std::string path_;
};

}  // namespace layer_energy::test
