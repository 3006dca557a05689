// Jetson Thor's INA238 (module input, VIN) written into a TempTree the way the mainline `ina238` hwmon driver shows it
// (kernel Documentation/hwmon/ina238.rst): an i2c device whose hwmon/hwmon<N> holds `name`, in0_input (shunt mV),
// in1_input (bus mV), curr1_input (mA), power1_input (uW), temp1_input (m°C) and shunt_resistor (uOhm), reachable as
// sys/class/hwmon/hwmon<N> and sys/bus/i2c/devices/<bus>-<addr>, with the hwmon's `device` link back to the device.
// Readings, addresses and the i2c controller path are made up; the file names and units are the kernel's.
#pragma once

#include <string>

#include "temp_tree.hpp"

namespace layer_energy::test {

struct Ina238Files {
  std::string bus = "2";
  std::string address = "0044";
  std::string hwmon = "hwmon4";
  std::string label_file;  // e.g. "in1_label"; empty: no label, as the mainline driver gives none
  std::string label;
  bool power_file = true;  // power1_input present
  std::string bus_mv = "19840";
  std::string current_ma = "997";
  std::string power_uw = "19776000";  // the chip's own product, a little off V x I (19780480 uW), as real ones are
  std::string shunt_uohm = "2000";    // empty: no shunt_resistor file
};

inline std::string ina238_device(const Ina238Files& files) {
  return files.bus + "-" + files.address;
}

// The hwmon directory written, relative to the tree's root ("/sys/devices/.../hwmon/hwmon4").
inline std::string add_ina238(const TempTree& tree, const Ina238Files& files = {}) {
  const std::string device = ina238_device(files);
  const std::string device_dir = "/sys/devices/platform/bus@0/c250000.i2c/i2c-" + files.bus + "/" + device;
  const std::string hwmon = device_dir + "/hwmon/" + files.hwmon;
  tree.make_directory(hwmon);
  tree.make_directory("/sys/class/hwmon");
  tree.make_directory("/sys/bus/i2c/devices");
  tree.write(device_dir + "/name", "ina238\n");
  tree.write(hwmon + "/name", "ina238\n");
  tree.write(hwmon + "/in0_input", "2\n");
  tree.write(hwmon + "/in1_input", files.bus_mv + "\n");
  tree.write(hwmon + "/curr1_input", files.current_ma + "\n");
  if (files.power_file) tree.write(hwmon + "/power1_input", files.power_uw + "\n");
  tree.write(hwmon + "/power1_max", "0\n");
  tree.write(hwmon + "/temp1_input", "41250\n");
  if (!files.shunt_uohm.empty()) tree.write(hwmon + "/shunt_resistor", files.shunt_uohm + "\n");
  if (!files.label_file.empty()) tree.write(hwmon + "/" + files.label_file, files.label + "\n");
  tree.link("../../../" + device, hwmon + "/device");
  tree.link("../../devices/platform/bus@0/c250000.i2c/i2c-" + files.bus + "/" + device + "/hwmon/" + files.hwmon,
            "/sys/class/hwmon/" + files.hwmon);
  tree.link("../../../devices/platform/bus@0/c250000.i2c/i2c-" + files.bus + "/" + device,
            "/sys/bus/i2c/devices/" + device);
  return hwmon;
}

// A Thor-like board from the agx-orin-r36 fixture: one INA3221 (1-0040) relabelled with the rails Thor's tegrastats
// prints beside VIN (VDD_GPU, VDD_CPU_SOC_MSS, VIN_SYS_5V0), the second INA3221 removed, Thor's model string; no
// INA238 yet (add_ina238).
inline void make_thor_like(const TempTree& tree) {
  const std::string hwmon = "/sys/bus/i2c/devices/1-0040/hwmon/hwmon1/";
  tree.write(hwmon + "in1_label", "VDD_GPU\n");
  tree.write(hwmon + "in2_label", "VDD_CPU_SOC_MSS\n");
  tree.write(hwmon + "in3_label", "VIN_SYS_5V0\n");
  if (::unlink((tree / "/sys/bus/i2c/devices/1-0041").c_str()) != 0) {
    throw std::runtime_error("cannot remove 1-0041 from " + tree.path());
  }
  tree.write("/proc/device-tree/model", std::string("NVIDIA Jetson AGX Thor Developer Kit") + '\0');
}

}  // namespace layer_energy::test
