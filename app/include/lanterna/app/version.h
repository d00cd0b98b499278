// The Lanterna version, as built. Thread-safe (constant).
#pragma once

namespace lanterna::app {
const char* versionString();
}
