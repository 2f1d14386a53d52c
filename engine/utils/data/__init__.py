"""engine.utils.data: PyTorch's torch.utils.data for the single-process subset."""
from engine._unsupported import module_getattr
from engine.utils.data._collate import default_collate
from engine.utils.data.dataloader import DataLoader
from engine.utils.data.dataset import (ConcatDataset, Dataset, IterableDataset, Subset,
                                       TensorDataset, random_split)
from engine.utils.data.sampler import (BatchSampler, RandomSampler, Sampler,
                                       SequentialSampler)

__all__ = ["BatchSampler", "ConcatDataset", "DataLoader", "Dataset", "IterableDataset",
           "RandomSampler", "Sampler", "SequentialSampler", "Subset", "TensorDataset",
           "default_collate", "random_split"]
__getattr__ = module_getattr("torch.utils.data")
