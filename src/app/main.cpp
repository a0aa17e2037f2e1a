#include "app/cli.hpp"

int main(int argc, char** argv) { return warung::app::runCli(argc, argv); }
