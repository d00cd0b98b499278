// Conformance runners for groups A (CLIP tokenizer) and B (CLIP text encoder). Both load through the engine's own
// loading code: the tokenizer from the folder's vocab.json + merges.txt, the encoder through Weights::load.
#include <fstream>

#include "clip_text_encoder.h"
#include "clip_tokenizer.h"
#include "conformance_case.h"

namespace lanterna::inference {
namespace {

at::Tensor idsTensor(const std::vector<std::int64_t>& ids) {
  return at::tensor(at::ArrayRef<std::int64_t>(ids), at::kLong);
}

at::Tensor idsTensor(const nlohmann::json& ids) { return idsTensor(ids.get<std::vector<std::int64_t>>()); }

}  // namespace

CaseReport runClipTokenizerCase(const ConformanceCase& testCase) {
  CaseChecker checker(testCase);
  const auto& config = testCase.config();
  const auto vocab = testCase.folder / config.value("vocab", "clip_tokenizer/vocab.json");
  const auto merges = testCase.folder / config.value("merges", "clip_tokenizer/merges.txt");
  const auto tokenizerConfig = vocab.parent_path() / "tokenizer_config.json";
  auto tokenizer =
      ClipTokenizer::load(vocab, merges, std::filesystem::exists(tokenizerConfig) ? tokenizerConfig : "");
  if (!tokenizer) {
    checker.fail(tokenizer.error().message);
    return checker.report();
  }
  std::ifstream in(testCase.ioFile());
  if (!in) {
    checker.fail("cannot read \"" + testCase.ioFile().string() + "\"");
    return checker.report();
  }
  const auto prompts = nlohmann::json::parse(in);
  const std::int64_t pad2 = config.value("pad_token_id_sd2", 0);
  int index = 0;
  for (const auto& entry : prompts.at("cases")) {
    const std::string prompt = entry.at("prompt");
    const std::string label = "prompt " + std::to_string(index++) + " ";
    const auto body = tokenizer->encode(prompt);
    std::vector<std::int64_t> untruncated{tokenizer->bosId()};
    untruncated.insert(untruncated.end(), body.begin(), body.end());
    untruncated.push_back(tokenizer->eosId());
    if (entry.contains("ids_untruncated"))
      checker.compare(label + "ids_untruncated", idsTensor(untruncated), idsTensor(entry["ids_untruncated"]));
    if (entry.contains("input_ids_sd1"))
      checker.compare(label + "input_ids_sd1", idsTensor(tokenizer->tokenize(prompt)), idsTensor(entry["input_ids_sd1"]));
    if (entry.contains("input_ids_pad0"))
      checker.compare(label + "input_ids_pad0", idsTensor(tokenizer->tokenize(prompt, pad2)),
                      idsTensor(entry["input_ids_pad0"]));
  }
  return checker.report();
}

CaseReport runClipTextCase(const ConformanceCase& testCase) {
  CaseChecker checker(testCase);
  const auto files = testCase.weightFiles();
  if (files.empty()) {
    checker.fail("manifest entry names no weights file");
    return checker.report();
  }
  auto file = SafetensorsFile::open(files.front());
  if (!file) {
    checker.fail(file.error().message);
    return checker.report();
  }
  ClipTextEncoder encoder(ClipTextConfig::fromJson(testCase.config()), Weights::load(*file));
  CaseTensors tensors(testCase);
  const auto out = encoder.forward(tensors.input("input_ids"), KeepHiddenStates::Yes);
  for (const auto& name : tensors.expectedNames()) {
    at::Tensor actual;
    if (name == "last_hidden_state") actual = out.lastHiddenState;
    else if (name == "penultimate_hidden_state") actual = out.penultimate;
    else if (name == "penultimate_hidden_state_final_ln") actual = out.penultimateFinalLn;
    else if (name == "pooler_output") actual = out.pooled;
    else if (name == "text_embeds") actual = out.textEmbeds;
    else if (name.rfind("hidden_states.", 0) == 0) {
      const auto index = std::stoul(name.substr(14));
      if (index < out.hiddenStates.size()) actual = out.hiddenStates[index];
    }
    if (!actual.defined()) {
      checker.fail("the encoder has no output for \"" + name + "\"");
      continue;
    }
    checker.compare(name, actual, tensors.expected(name));
  }
  return checker.report();
}

}  // namespace lanterna::inference
