// Reading sysfs/procfs files under a root prefix (--power_sysfs_root), so fixture trees can stand in for a board.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace layer_energy::power::sysfs {

// root + path, where path is absolute ("/sys/...") and root may be empty.
std::string join(const std::string& root, const std::string& path);

// Whole file, or nullopt with *why set (e.g. "permission denied").
std::optional<std::string> read_text(const std::string& path, std::string* why = nullptr);
// First line, trailing whitespace and NULs stripped (device-tree strings end in NUL).
std::optional<std::string> read_line(const std::string& path, std::string* why = nullptr);
// A decimal integer file; nullopt with *why for unreadable or garbage content.
std::optional<long long> read_integer(const std::string& path, std::string* why = nullptr);

bool exists(const std::string& path);
// The file exists but this process may not open it (EACCES/EPERM): the read_* functions give only the strerror text,
// and a root-only sensor file deserves a message naming the fix.
bool permission_denied(const std::string& path);
bool is_directory(const std::string& path);
// The path with every symlink resolved (realpath), or nullopt when it does not resolve.
std::optional<std::string> real_path(const std::string& path);
// Entry names (not paths) of a directory, sorted; symlinks included; "." and ".." excluded.
std::vector<std::string> list_directory(const std::string& path);

}  // namespace layer_energy::power::sysfs
