#include "lanterna/app/version.h"

namespace lanterna::app {
const char* versionString() { return LANTERNA_VERSION; }
}  // namespace lanterna::app
