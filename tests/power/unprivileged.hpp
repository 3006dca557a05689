// Running a check as an unprivileged user, for the tests of root-only sensor files: root reads mode-000 files anyway.
#pragma once

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <functional>
#include <string>

namespace layer_energy::test {

// Runs `what` as an unprivileged user and returns its text: as root it runs in a child that first becomes "nobody".
// Empty when that is not possible here.
inline std::string as_unprivileged(const std::function<std::string()>& what) {
  if (::geteuid() != 0) return what();
  int fds[2];
  if (::pipe(fds) != 0) return {};
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    if (::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(77);
    const std::string text = what();
    const ssize_t n = ::write(fds[1], text.data(), text.size());
    ::_exit(n == static_cast<ssize_t>(text.size()) ? 0 : 1);
  }
  ::close(fds[1]);
  std::string text;
  char buffer[512];
  ssize_t n = 0;
  while ((n = ::read(fds[0], buffer, sizeof buffer)) > 0) text.append(buffer, static_cast<std::size_t>(n));
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? text : std::string();
}

// Makes a file unreadable for the unprivileged user of as_unprivileged (root-owned 0400, as L4T ships such files; a
// non-root owner has to take away its own access).
inline void make_root_only(const std::string& path) {
  ASSERT_EQ(::chmod(path.c_str(), ::geteuid() == 0 ? 0400 : 0000), 0) << path;
}

}  // namespace layer_energy::test
