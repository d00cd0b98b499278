// Stage "text": the engine's ClipTextEncoder learns, from captions alone, to say at each token what the caption has
// described so far (caption_targets.h), through small linear heads that are dropped afterwards. A few minutes of
// one core; the unet stage then trains on this encoder frozen (--text-encoder RUN).
#include <c10/core/GradMode.h>

#include <array>
#include <cstdio>
#include <map>
#include <optional>
#include <stdexcept>

#include "caption_targets.h"
#include "clip_text_encoder.h"
#include "parameter_layout.h"
#include "toy_model_configs.h"
#include "toy_vocab.h"
#include "train_stage.h"

namespace lanterna::toy {
namespace {

// Heads, in this order, over the encoder's output: their widths.
enum Head { kColour, kShape, kSize, kCell, kBackground, kMotion, kOccupied, kHeadCount };
constexpr std::array<std::int64_t, kHeadCount> kHeadWidth = {kColourCount, kShapeCount, 2, kPositionCount,
                                                             kColourCount, kMotionClasses, kPositionCount};
constexpr std::array<const char*, kHeadCount> kHeadName = {"colour", "shape", "size", "cell", "bg", "motion", "occupied"};
constexpr int kLabelColumns = 7;  // the six class heads, then the end-of-text flag
constexpr std::int64_t kProbeCaptions = 256;
constexpr std::uint64_t kClipEvery = 4;  // one caption in four is a clip's: the encoder learns the motion words too

std::int64_t headOffset(int head) {
  std::int64_t offset = 0;
  for (int h = 0; h < head; ++h) offset += kHeadWidth[static_cast<std::size_t>(h)];
  return offset;
}

class TextStage final : public StageModel {
 public:
  explicit TextStage(const StageInputs& inputs)
      : world_(inputs.seed),
        tokenize_(inputs.tokenize),
        config_(inference::ClipTextConfig::fromJson(toyTextEncoderConfig(toyVocabularySize()))) {
    parameters_ = initParameters(clipTextLayout(config_), "text_encoder.", inputs.device);
    std::int64_t width = 0;
    for (std::int64_t w : kHeadWidth) width += w;
    const auto options = at::TensorOptions(at::kFloat).device(inputs.device);
    headWeight_ = (at::randn({width, config_.hiddenSize}, options) * 0.02).requires_grad_();
    headBias_ = at::zeros({width}, options).requires_grad_();
    parameters_.emplace_back("text_heads.weight", headWeight_);
    parameters_.emplace_back("text_heads.bias", headBias_);
    text_.emplace(config_, weightsFrom(parameters_, "text_encoder."));
    endOfText_ = config_.eosTokenId;
  }

  NamedTensors namedParameters() override { return parameters_; }

  ToyBatch batch(const ToyDataset&, std::int64_t step, std::int64_t batchSize) override {
    return labelled(static_cast<std::uint64_t>(step * batchSize), batchSize, Split::Train);
  }

  at::Tensor loss(const ToyBatch& batch) override {
    const auto [logits, labels, occupied] = forward(batch);
    at::Tensor total = at::zeros({}, logits.options());
    for (int h = 0; h < kOccupied; ++h) {
      const at::Tensor target = labels.select(-1, h).reshape({-1});
      const at::Tensor scores = head(logits, h).reshape({target.size(0), -1});
      if ((target >= 0).any().item<bool>())
        total = total + at::nll_loss(at::log_softmax(scores, -1), target, {}, at::Reduction::Mean, kNoTarget);
    }
    const at::Tensor known = occupied >= 0;
    if (known.any().item<bool>())
      total = total + at::binary_cross_entropy_with_logits(eosLogits(logits, labels, kOccupied).masked_select(known),
                                                           occupied.masked_select(known).to(at::kFloat));
    return total;
  }

  // Accuracy of every head on held-out captions (shape-colour-cell combinations and a wording never trained on).
  std::string diagnostics() override {
    c10::NoGradGuard noGrad;
    if (!probe_) probe_ = labelled(0, kProbeCaptions, Split::HeldOut);  // the same captions at every log line
    const auto [logits, labels, occupied] = forward(*probe_);
    std::string text = "held-out accuracy";
    for (int h = 0; h <= kOccupied; ++h) {
      double accuracy = 0;
      if (h < kOccupied) {
        const at::Tensor target = labels.select(-1, h);
        const at::Tensor known = target >= 0;
        accuracy = (head(logits, h).argmax(-1) == target).masked_select(known).to(at::kFloat).mean().item<double>();
      } else {
        const at::Tensor known = occupied >= 0;
        const at::Tensor said = eosLogits(logits, labels, kOccupied) > 0;
        accuracy = (said == (occupied == 1)).masked_select(known).to(at::kFloat).mean().item<double>();
      }
      char part[40];
      std::snprintf(part, sizeof part, " %s %.3f", kHeadName[static_cast<std::size_t>(h)], accuracy);
      text += part;
    }
    // What the end of the caption says about the background, the one thing every pixel not in a shape reads.
    const at::Tensor background = labels.select(-1, kBackground).index({at::arange(labels.size(0)), endOfText(labels)});
    const double atEnd = (eosLogits(logits, labels, kBackground).argmax(-1) == background).to(at::kFloat).mean().item<double>();
    char part[40];
    std::snprintf(part, sizeof part, " bg-at-end %.3f", atEnd);
    return text + part;
  }

 private:
  struct Forward {
    at::Tensor logits, labels, occupied;
  };

  Forward forward(const ToyBatch& batch) const {
    const at::Device device = text_->device();
    const at::Tensor hidden = text_->encode(batch.tokenIds.to(device));
    const at::Tensor logits = at::linear(hidden, headWeight_, headBias_);
    return {logits, batch.tokenLabels.to(device), batch.cellLabels.to(device)};
  }

  static at::Tensor head(const at::Tensor& logits, int h) {
    return logits.narrow(-1, headOffset(h), kHeadWidth[static_cast<std::size_t>(h)]);
  }

  // A head read at each caption's end-of-text token, which has seen the whole caption.
  static at::Tensor endOfText(const at::Tensor& labels) {
    return labels.select(-1, kLabelColumns - 1).to(at::kFloat).argmax(1);  // the first end-of-text position
  }
  static at::Tensor eosLogits(const at::Tensor& logits, const at::Tensor& labels, int h) {
    const at::Tensor first = endOfText(labels);
    return head(logits, h).index({at::arange(logits.size(0), first.options()), first});
  }

  int tokenCount(const std::string& piece) {
    auto found = counts_.find(piece);
    if (found != counts_.end()) return found->second;
    const std::vector<std::int64_t> ids = tokenize_(piece);
    int n = 0;
    while (1 + n < static_cast<int>(ids.size()) && ids[static_cast<std::size_t>(1 + n)] != endOfText_) ++n;
    return counts_[piece] = n;
  }

  ToyBatch labelled(std::uint64_t firstIndex, std::int64_t size, Split split) {
    const auto length = static_cast<std::int64_t>(kToyMaxPositions);
    ToyBatch batch;
    batch.tokenIds = at::empty({size, length}, at::kLong);
    batch.tokenLabels = at::empty({size, length, kLabelColumns}, at::kLong);
    batch.cellLabels = at::empty({size, kPositionCount}, at::kLong);
    auto ids = batch.tokenIds.accessor<std::int64_t, 2>();
    auto labels = batch.tokenLabels.accessor<std::int64_t, 3>();
    auto cells = batch.cellLabels.accessor<std::int64_t, 2>();
    const TokenCount count = [this](const std::string& piece) { return tokenCount(piece); };
    for (std::int64_t i = 0; i < size; ++i) {
      const std::uint64_t index = firstIndex + static_cast<std::uint64_t>(i);
      std::string caption;
      Result<CaptionTargets> targets = makeError(ErrorKind::Internal, "untagged");
      if (index % kClipEvery == kClipEvery - 1) {
        const ToyClip clip = world_.clip(index, split);
        caption = clip.caption;
        targets = clipCaptionTargets(clip, count, static_cast<int>(length));
      } else {
        const ToyScene scene = world_.scene(index, split);
        caption = scene.caption;
        targets = sceneCaptionTargets(scene, count, static_cast<int>(length));
      }
      if (!targets) throw std::runtime_error(targets.error().message);
      const std::vector<std::int64_t> tokens = tokenize_(caption);
      for (std::int64_t t = 0; t < length; ++t) {
        const TokenTargets& tt = targets->tokens[static_cast<std::size_t>(t)];
        ids[i][t] = tokens[static_cast<std::size_t>(t)];
        const std::array<int, kLabelColumns> row = {tt.colour, tt.shape, tt.size, tt.position, tt.background,
                                                    tt.motion, tt.endOfText ? 1 : 0};
        for (int c = 0; c < kLabelColumns; ++c) labels[i][t][c] = row[static_cast<std::size_t>(c)];
        // The words were counted one by one: the whole caption must end where the pieces did.
        if (tt.endOfText != (t > 0 && tokens[static_cast<std::size_t>(t)] == endOfText_))
          throw std::runtime_error("The caption's tokens do not line up with its words: \"" + caption + "\".");
      }
      for (int c = 0; c < kPositionCount; ++c) cells[i][c] = targets->occupied[static_cast<std::size_t>(c)];
    }
    return batch;
  }

  ToyWorld world_;
  Tokenize tokenize_;
  inference::ClipTextConfig config_;
  NamedTensors parameters_;
  at::Tensor headWeight_, headBias_;  // also in parameters_, as "text_heads.*"
  std::optional<inference::ClipTextEncoder> text_;
  std::optional<ToyBatch> probe_;
  std::map<std::string, int> counts_;
  std::int64_t endOfText_ = 0;
};

}  // namespace

Result<std::unique_ptr<StageModel>> makeTextStage(const StageInputs& inputs) {
  if (!inputs.tokenize)
    return makeError(ErrorKind::InvalidArgument, "The text stage needs a tokenizer for the captions.");
  return std::unique_ptr<StageModel>(std::make_unique<TextStage>(inputs));
}

}  // namespace lanterna::toy
