// kpidb-check: see tools/check_tool.cc.
#include <iostream>

#include "tools/tools.h"

int main(int argc, char** argv) {
  return kpidb::tools::RunCheck(argc, argv, std::cout, std::cerr);
}
