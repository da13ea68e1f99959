// The light core of ctnn: network types, activations, forward and backward, initialization, PyTorch layout.
// Opt-in: <ctnn/io.hpp> (model files).
#pragma once

#include <ctnn/activations.hpp>
#include <ctnn/init.hpp>
#include <ctnn/layers/batch_norm.hpp>
#include <ctnn/layers/dense.hpp>
#include <ctnn/layers/dropout.hpp>
#include <ctnn/layers/input.hpp>
#include <ctnn/network.hpp>
#include <ctnn/random.hpp>
#include <ctnn/torch_layout.hpp>
#include <ctnn/version.hpp>
