// kpidb-query: see tools/query_tool.cc.
#include <iostream>

#include "tools/tools.h"

int main(int argc, char** argv) {
  return kpidb::tools::RunQuery(argc, argv, std::cout, std::cerr);
}
