// kpidb-ingest: see tools/ingest_tool.cc.
#include <iostream>

#include "tools/tools.h"

int main(int argc, char** argv) {
  return kpidb::tools::MainGuarded("kpidb-ingest", std::cerr, kpidb::tools::RunIngest, argc, argv);
}
