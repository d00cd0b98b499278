// The small project `lanterna --demo` opens until the bundled demo models exist: a prompt track with three
// prompt items, a video track and an audio track. Usage: auto document = makeDemoDocument();
// Build it on the thread that will own it (the UI thread).
#pragma once

#include <memory>

#include "lanterna/timeline/document.h"

namespace lanterna::ui {

std::unique_ptr<timeline::Document> makeDemoDocument();

}  // namespace lanterna::ui
