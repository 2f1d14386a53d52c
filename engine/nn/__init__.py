"""engine.nn: PyTorch's torch.nn for the supported subset."""
from engine.nn.parameter import Buffer, Parameter
from engine.nn.modules import (GELU, AdaptiveAvgPool2d, AvgPool2d, BatchNorm1d, BatchNorm2d,
                               BCELoss, BCEWithLogitsLoss, Conv2d, CrossEntropyLoss, Dropout,
                               Embedding, Flatten, Identity, L1Loss, LeakyReLU, Linear,
                               LogSoftmax, MaxPool2d, Module, ModuleDict, ModuleList, MSELoss,
                               NLLLoss, ReLU, Sequential, Sigmoid, Softmax, Tanh)
from engine.nn.modules.padding import (PADDING_LAYERS, CircularPad1d, CircularPad2d,
                                       CircularPad3d, ConstantPad1d, ConstantPad2d,
                                       ConstantPad3d, ReflectionPad1d, ReflectionPad2d,
                                       ReflectionPad3d, ReplicationPad1d, ReplicationPad2d,
                                       ReplicationPad3d, ZeroPad1d, ZeroPad2d, ZeroPad3d)
from engine.nn import functional, init, modules

__all__ = ["Buffer", "Parameter", "Module", "Sequential", "ModuleList", "ModuleDict", "Identity",
           "Linear", "Conv2d", "MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d", "BatchNorm1d",
           "BatchNorm2d", "Dropout", "Embedding", "ReLU", "LeakyReLU", "GELU", "Sigmoid", "Tanh",
           "Softmax", "LogSoftmax", "Flatten", "CrossEntropyLoss", "NLLLoss", "MSELoss", "L1Loss",
           "BCELoss", "BCEWithLogitsLoss", "functional", "init", "modules"] + PADDING_LAYERS
