#include "transformer_2d.h"

namespace lanterna::inference {

Attention Attention::load(const Weights& w, int64_t queryDim, int64_t contextDim, int64_t heads, Upcast upcast) {
  if (heads <= 0 || queryDim % heads != 0)
    throw WeightsError("\"" + w.source() + "\": " + std::to_string(queryDim) + " channels do not split into " +
                       std::to_string(heads) + " attention heads (wrong config).");
  Attention attention;
  attention.toQ_ = Linear::load(w, "to_q", queryDim, queryDim, false);
  attention.toK_ = Linear::load(w, "to_k", queryDim, contextDim, false);
  attention.toV_ = Linear::load(w, "to_v", queryDim, contextDim, false);
  attention.toOut_ = Linear::load(w, "to_out.0", queryDim, queryDim);
  attention.heads_ = heads;
  attention.upcast_ = upcast;
  return attention;
}

at::Tensor Attention::operator()(const at::Tensor& x, const at::Tensor& context) const {
  const at::Tensor& source = context.defined() ? context : x;
  return toOut_(multiHeadAttention(toQ_(x), toK_(source), toV_(source), heads_, upcast_));
}

at::Tensor Attention::withFirstFrame(const at::Tensor& x, FrameAnchor anchor) const {
  // For the first frame this repeats each key once, which leaves its softmax, and so its output, as it was.
  const int64_t frames = anchor.framesPerClip, tokens = x.size(1);
  auto ownThenFirst = [&](const at::Tensor& projected) {
    const int64_t dim = projected.size(2);
    const at::Tensor first =
        projected.reshape({-1, frames, tokens, dim}).narrow(1, 0, 1).expand({-1, frames, tokens, dim});
    return at::cat({projected, first.reshape({-1, tokens, dim})}, 1);
  };
  return toOut_(multiHeadAttention(toQ_(x), ownThenFirst(toK_(x)), ownThenFirst(toV_(x)), heads_, upcast_));
}

BasicTransformerBlock BasicTransformerBlock::load(const Weights& w, int64_t dim, int64_t contextDim, int64_t heads,
                                                  Upcast upcast) {
  BasicTransformerBlock block;
  block.norm1_ = LayerNorm::load(w, "norm1", dim);
  block.norm2_ = LayerNorm::load(w, "norm2", dim);
  block.norm3_ = LayerNorm::load(w, "norm3", dim);
  block.attn1_ = Attention::load(w.sub("attn1."), dim, dim, heads, upcast);
  block.attn2_ = Attention::load(w.sub("attn2."), dim, contextDim, heads, upcast);
  block.geglu_ = Linear::load(w, "ff.net.0.proj", dim * 8, dim);
  block.ffOut_ = Linear::load(w, "ff.net.2", dim, dim * 4);
  return block;
}

at::Tensor BasicTransformerBlock::operator()(at::Tensor x, const at::Tensor& context, FrameAnchor anchor) const {
  const at::Tensor normed = norm1_(x);
  x = (anchor.active() ? attn1_.withFirstFrame(normed, anchor) : attn1_(normed, {})) + x;
  x = attn2_(norm2_(x), context) + x;
  auto parts = geglu_(norm3_(x)).chunk(2, -1);  // GEGLU: h * gelu(gate), exact erf GELU
  return ffOut_(parts[0] * at::gelu(parts[1])) + x;
}

Transformer2D Transformer2D::load(const Weights& w, const TransformerShape& shape) {
  Transformer2D t;
  t.shape_ = shape;
  const int64_t c = shape.channels;
  t.norm_ = GroupNorm::load(w, "norm", c, shape.groups, 1e-6);
  if (shape.linearProjection) {
    t.projInLinear_ = Linear::load(w, "proj_in", c, c);
    t.projOutLinear_ = Linear::load(w, "proj_out", c, c);
  } else {
    t.projInConv_ = Conv2d::load(w, "proj_in", c, c, 1);
    t.projOutConv_ = Conv2d::load(w, "proj_out", c, c, 1);
  }
  for (int64_t i = 0; i < shape.layers; ++i)
    t.blocks_.push_back(BasicTransformerBlock::load(w.sub("transformer_blocks." + std::to_string(i) + "."), c,
                                                    shape.contextDim, shape.heads, shape.upcast));
  return t;
}

at::Tensor Transformer2D::operator()(const at::Tensor& x, const at::Tensor& context, FrameAnchor anchor) const {
  const int64_t batch = x.size(0), c = x.size(1), height = x.size(2), width = x.size(3);
  at::Tensor h = norm_(x);
  if (!shape_.linearProjection) h = projInConv_(h);
  h = h.permute({0, 2, 3, 1}).reshape({batch, height * width, c});
  if (shape_.linearProjection) h = projInLinear_(h);
  for (const auto& block : blocks_) h = block(h, context, anchor);
  if (shape_.linearProjection) h = projOutLinear_(h);
  // Back to the input's layout: a view for channels-last input, one copy for NCHW.
  h = h.reshape({batch, height, width, c}).permute({0, 3, 1, 2});
  if (!x.is_contiguous(at::MemoryFormat::ChannelsLast)) h = h.contiguous();
  if (!shape_.linearProjection) h = projOutConv_(h);
  return h + x;
}

}  // namespace lanterna::inference
