// Tables shared by the schedulers, computed the way diffusers v0.25 computes them (float32 torch tables, float64
// numpy spacing), so schedules match bit for bit. Usage:
//   at::Tensor alphasCumprod = trainAlphasCumprod(config);            // float32 [T]
//   std::vector<double> t = spacedTimesteps(config, 25, SpacingRule::Ddim);
// Pure functions: safe from any thread.
#pragma once

#include <vector>

#include <ATen/ATen.h>

#include "scheduler.h"

namespace lanterna::inference {

// Betas per beta_schedule (+ rescale_betas_zero_snr), float32 [T].
at::Tensor trainBetas(const SchedulerConfig& config);
at::Tensor trainAlphasCumprod(const SchedulerConfig& config);
// The training forward process: clean samples noised to train timesteps t (one per batch item, any sample rank),
// sqrt(a_t) * clean + sqrt(1 - a_t) * noise.
at::Tensor noiseToTimesteps(const at::Tensor& alphasCumprod, const at::Tensor& clean, const at::Tensor& noise,
                            const at::Tensor& t);
// sqrt((1 - a) / a) per train step, float32 [T] (increasing with t).
at::Tensor trainSigmas(const at::Tensor& alphasCumprod);

// Decreasing timesteps before the dtype cast. Ddim: rounded integers; Euler: 'linspace' keeps fractions;
// Dpm: diffusers' DPM-Solver variant (N+1 points, last dropped).
enum class SpacingRule { Ddim, Euler, Dpm };
std::vector<double> spacedTimesteps(const SchedulerConfig& config, int numSteps, SpacingRule rule,
                                    TimestepSpacing fallback);

// np.interp(x, arange(len(table)), table) in float64.
double interpolate(const std::vector<double>& table, double x);
std::vector<double> toDoubles(const at::Tensor& tensor);
// Karras et al. (2022) rho=7 sigmas from sigmaMax down to sigmaMin, float64.
std::vector<double> karrasSigmas(double sigmaMin, double sigmaMax, int numSteps);
// diffusers' _sigma_to_t: fractional train timestep by log-sigma interpolation (logSigmas in float32 precision).
double sigmaToTimestep(double sigma, const std::vector<float>& logSigmas);

// The Euler family's estimate of the clean sample at sigma (k-diffusion form, diffusers' EulerDiscrete semantics).
at::Tensor eulerPredictOriginal(PredictionType prediction, double sigma, const at::Tensor& modelOutput,
                                const at::Tensor& sample);
// The Euler family's start-noise scale: the largest sigma, or sqrt(sigma^2 + 1) under 'leading' spacing
// (float32 arithmetic, as diffusers does it).
double eulerInitNoiseSigma(const at::Tensor& sigmas, TimestepSpacing spacing);
// The Euler family's model input at sigma: sample / sqrt(sigma^2 + 1).
at::Tensor eulerScaleModelInput(const at::Tensor& sample, double sigma);

// Python's round(): halves to even, as numpy does.
double roundHalfEven(double value);

}  // namespace lanterna::inference
