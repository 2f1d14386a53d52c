"""engine.utils.data: PyTorch's torch.utils.data; workers are played in this process."""
from engine._unsupported import module_getattr
from engine.utils.data._collate import default_collate, default_convert
from engine.utils.data._workers import get_worker_info
from engine.utils.data.dataloader import DataLoader
from engine.utils.data.dataset import (ChainDataset, ConcatDataset, Dataset, IterableDataset,
                                       StackDataset, Subset, TensorDataset, random_split)
from engine.utils.data.sampler import (BatchSampler, RandomSampler, Sampler,
                                       SequentialSampler, SubsetRandomSampler,
                                       WeightedRandomSampler)

__all__ = ["BatchSampler", "ChainDataset", "ConcatDataset", "DataLoader", "Dataset",
           "IterableDataset", "RandomSampler", "Sampler", "SequentialSampler", "StackDataset", "Subset",
           "SubsetRandomSampler", "TensorDataset", "WeightedRandomSampler", "default_collate",
           "default_convert", "get_worker_info", "random_split"]
__getattr__ = module_getattr("torch.utils.data")
