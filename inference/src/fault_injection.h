// Out-of-memory fault injection, so the out-of-memory path (job fails with a suggestion, the model is released, the
// next job runs) is tested on machines without a GPU. LANTERNA_INJECT_OOM lists points, comma-separated:
//   load          Engine::open, while the model loads
//   step:N        after denoising step N (1-based) of a generation
//   vae-decode    before the VAE decodes the latents
//   LANTERNA_INJECT_OOM=step:2 lanterna-cli generate ...
// At a listed point injectOutOfMemory throws c10::OutOfMemoryError with the text of a CUDA allocator failure, the
// exception a real CUDA out-of-memory raises. The variable is read at every point (one getenv), so a test may change
// it between jobs while no job runs. Unset (always, in normal use) it costs nothing else.
#pragma once

#include <string_view>

namespace lanterna::inference {

void injectOutOfMemory(std::string_view point, int step = 0);

}  // namespace lanterna::inference
