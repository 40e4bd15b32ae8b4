// kpidb-query: see tools/query_tool.cc.
#include <iostream>

#include "tools/tools.h"

int main(int argc, char** argv) {
  return kpidb::tools::MainGuarded("kpidb-query", std::cerr, kpidb::tools::RunQuery, argc, argv);
}
