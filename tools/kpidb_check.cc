// kpidb-check: see tools/check_tool.cc.
#include <iostream>

#include "tools/tools.h"

int main(int argc, char** argv) {
  return kpidb::tools::MainGuarded("kpidb-check", std::cerr, kpidb::tools::RunCheck, argc, argv);
}
