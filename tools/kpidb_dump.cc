// kpidb-dump: see tools/dump_tool.cc.
#include <iostream>

#include "tools/tools.h"

int main(int argc, char** argv) {
  return kpidb::tools::MainGuarded("kpidb-dump", std::cerr, kpidb::tools::RunDump, argc, argv);
}
