"""engine.nn.modules: Module and the layers, one family per file."""
from engine.nn.modules.module import Module
from engine.nn.modules.activation import GELU, LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh
from engine.nn.modules.more_activations import ELU, Hardtanh, Mish, ReLU6, SiLU, Softplus
from engine.nn.modules.more_losses import HuberLoss, KLDivLoss
from engine.nn.modules.batchnorm import BatchNorm1d, BatchNorm2d
from engine.nn.modules.container import ModuleDict, ModuleList, Sequential
from engine.nn.modules.conv import Conv1d, Conv2d
from engine.nn.modules.dropout import Dropout, Dropout2d
from engine.nn.modules.flatten import Flatten, Unflatten
from engine.nn.modules.instancenorm import InstanceNorm1d, InstanceNorm2d
from engine.nn.modules.pixelshuffle import Fold, PixelShuffle, PixelUnshuffle, Unfold
from engine.nn.modules.transformer import (MultiheadAttention, TransformerEncoder,
                                           TransformerEncoderLayer)
from engine.nn.modules.linear import Identity, Linear
from engine.nn.modules.loss import (BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, L1Loss,
                                    MSELoss, NLLLoss, SmoothL1Loss)
from engine.nn.modules.normalization import GroupNorm, LayerNorm
from engine.nn.modules.padding import (PADDING_LAYERS, CircularPad1d, CircularPad2d,
                                       CircularPad3d, ConstantPad1d, ConstantPad2d,
                                       ConstantPad3d, ReflectionPad1d, ReflectionPad2d,
                                       ReflectionPad3d, ReplicationPad1d, ReplicationPad2d,
                                       ReplicationPad3d, ZeroPad1d, ZeroPad2d, ZeroPad3d)
from engine.nn.modules.rnn import GRU, LSTM, RNN, RNNBase
from engine.nn.modules.pooling import AdaptiveAvgPool2d, AvgPool2d, MaxPool2d
from engine.nn.modules.sparse import Embedding
from engine.nn.modules.upsampling import Upsample, UpsamplingBilinear2d, UpsamplingNearest2d
from engine.nn.modules.shrink_and_gate import (CELU, GLU, SELU, Hardshrink, Hardsigmoid,
                                               Hardswish, PReLU, Softmin, Softshrink, Softsign,
                                               Tanhshrink, Threshold)

__all__ = ["Module", "Sequential", "ModuleList", "ModuleDict", "Identity", "Linear", "Conv1d", "Conv2d",
           "MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d", "BatchNorm1d", "BatchNorm2d",
           "LayerNorm", "GroupNorm", "Dropout", "Dropout2d", "Embedding", "ReLU", "LeakyReLU", "GELU", "Sigmoid", "Tanh",
           "Softmax", "LogSoftmax", "Flatten", "CrossEntropyLoss", "NLLLoss", "MSELoss",
           "L1Loss", "SmoothL1Loss", "LSTM", "GRU", "RNN", "RNNBase", "BCELoss",
           "BCEWithLogitsLoss", "SiLU", "Mish", "ELU", "Softplus", "Hardtanh",
           "ReLU6", "HuberLoss", "KLDivLoss", "Upsample", "UpsamplingNearest2d",
           "UpsamplingBilinear2d", "CELU", "GLU", "SELU", "Hardshrink", "Hardsigmoid",
           "Hardswish", "PReLU", "Softmin", "Softshrink", "Softsign", "Tanhshrink",
           "Threshold", "Unflatten", "MultiheadAttention", "TransformerEncoderLayer",
           "TransformerEncoder", "PixelShuffle", "PixelUnshuffle", "Fold", "Unfold",
           "InstanceNorm1d", "InstanceNorm2d"] + PADDING_LAYERS

# convolution and pooling surface (issue #11)
from engine.nn.modules.more_pooling import (AdaptiveAvgPool1d,  # noqa: E402
                                           AdaptiveMaxPool1d,
                                           AdaptiveMaxPool2d, AvgPool1d, MaxPool1d)
__all__ += ["MaxPool1d", "AvgPool1d", "AdaptiveAvgPool1d", "AdaptiveMaxPool1d",
            "AdaptiveMaxPool2d"]
from engine.nn.modules.conv_transpose import (Conv3d, ConvTranspose1d,  # noqa: E402
                                              ConvTranspose2d, ConvTranspose3d)
__all__ += ["Conv3d", "ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d"]
from engine.nn.modules.more_pooling import (AdaptiveAvgPool3d, AvgPool3d,  # noqa: E402
                                           MaxPool3d)
__all__ += ["MaxPool3d", "AvgPool3d", "AdaptiveAvgPool3d"]

# rnncells: the recurrent cells
from engine.nn.modules.rnn_cells import GRUCell, LSTMCell, RNNCell, RNNCellBase  # noqa: E402

__all__ += ["RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]

from engine.nn.modules.more_pooling import MaxUnpool1d, MaxUnpool2d  # noqa: E402
__all__ += ["MaxUnpool1d", "MaxUnpool2d"]

# RMSNorm (engine/nn/modules/normalization.py)
from engine.nn.modules.normalization import RMSNorm  # noqa: E402
__all__ += ["RMSNorm"]

# losses, distances and small layers (nnloss)
from engine.nn.modules.bilinear import Bilinear  # noqa: E402
from engine.nn.modules.distance import CosineSimilarity, PairwiseDistance  # noqa: E402
from engine.nn.modules.embedding_losses import (CosineEmbeddingLoss,  # noqa: E402
                                                GaussianNLLLoss, HingeEmbeddingLoss,
                                                MarginRankingLoss, MultiLabelMarginLoss,
                                                MultiLabelSoftMarginLoss, MultiMarginLoss,
                                                PoissonNLLLoss, SoftMarginLoss,
                                                TripletMarginLoss,
                                                TripletMarginWithDistanceLoss)
from engine.nn.modules.param_containers import ParameterDict, ParameterList  # noqa: E402
from engine.nn.modules.small_layers import LogSigmoid, Softmax2d  # noqa: E402
__all__ += ["Bilinear", "CosineSimilarity", "PairwiseDistance", "CosineEmbeddingLoss",
            "GaussianNLLLoss", "HingeEmbeddingLoss", "MarginRankingLoss", "MultiLabelMarginLoss",
            "MultiLabelSoftMarginLoss", "MultiMarginLoss", "PoissonNLLLoss", "SoftMarginLoss",
            "TripletMarginLoss", "TripletMarginWithDistanceLoss", "ParameterDict",
            "ParameterList", "LogSigmoid", "Softmax2d"]
# nnlayers: Transformer and its decoder (engine/nn/modules/transformer_decoder.py)
# nnlayers: the missing nn layers (transformer_decoder.py, dropout.py, channel_layers.py,
# lp_pooling.py, lazy.py)
from engine.nn.modules.transformer_decoder import (Transformer,  # noqa: E402
                                                   TransformerDecoder,
                                                   TransformerDecoderLayer)
from engine.nn.modules.dropout import (AlphaDropout, Dropout1d, Dropout3d,  # noqa: E402
                                       FeatureAlphaDropout, RReLU)
from engine.nn.modules.channel_layers import (BatchNorm3d, ChannelShuffle,  # noqa: E402
                                              CrossMapLRN2d, InstanceNorm3d,
                                              LocalResponseNorm)
from engine.nn.modules.lp_pooling import (AdaptiveMaxPool3d, LPPool1d, LPPool2d,  # noqa: E402
                                          LPPool3d, MaxUnpool3d)
from engine.nn.modules.lazy import (LazyBatchNorm1d, LazyBatchNorm2d,  # noqa: E402
                                    LazyBatchNorm3d, LazyConv1d, LazyConv2d, LazyConv3d,
                                    LazyConvTranspose1d, LazyConvTranspose2d,
                                    LazyConvTranspose3d, LazyInstanceNorm1d,
                                    LazyInstanceNorm2d, LazyInstanceNorm3d, LazyLinear)
__all__ += ["Transformer", "TransformerDecoder", "TransformerDecoderLayer", "Dropout1d",
            "Dropout3d", "AlphaDropout", "FeatureAlphaDropout", "RReLU", "BatchNorm3d",
            "InstanceNorm3d", "LocalResponseNorm", "CrossMapLRN2d", "ChannelShuffle",
            "LPPool1d", "LPPool2d", "LPPool3d", "AdaptiveMaxPool3d", "MaxUnpool3d", "LazyLinear", "LazyConv1d",
            "LazyConv2d", "LazyConv3d", "LazyConvTranspose1d", "LazyConvTranspose2d",
            "LazyConvTranspose3d", "LazyBatchNorm1d", "LazyBatchNorm2d", "LazyBatchNorm3d",
            "LazyInstanceNorm1d", "LazyInstanceNorm2d", "LazyInstanceNorm3d"]
# breadth: EmbeddingBag (engine/nn/modules/sparse.py)
from engine.nn.modules.sparse import EmbeddingBag  # noqa: E402
__all__ += ["EmbeddingBag"]
# breadth: NLLLoss2d, deprecated (engine/nn/modules/deprecated_losses.py)
from engine.nn.modules.deprecated_losses import NLLLoss2d  # noqa: E402
__all__ += ["NLLLoss2d"]
