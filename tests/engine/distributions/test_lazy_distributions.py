"""engine.distributions loads on first read, not with torch's other names: a script that
never uses it does not pay its import; one that does reaches it either way (attribute or
import), and under graphtui's `import torch` too."""
import pathlib
import subprocess
import sys

REPO = pathlib.Path(__file__).resolve().parents[3]


def run(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=REPO, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_the_api_does_not_load_distributions_until_read():
    out = run("import sys, engine\nengine.ones(1)\n"
              "print('engine.distributions' in sys.modules, 'distributions' in dir(engine))\n"
              "print(engine.distributions.Normal(0.0, 1.0))\n"
              "print('engine.distributions' in sys.modules, 'distributions' in dir(engine))")
    assert out.splitlines() == ["False False", "Normal(loc: 0.0, scale: 1.0)", "True True"]


def test_import_torch_then_torch_distributions_on_the_engine():
    out = run("from graphtui.backends import engine_as_torch\nengine_as_torch.install()\n"
              "import torch\nprint(torch.distributions.Categorical(logits=torch.zeros(3)))\n"
              "import torch.distributions as D\nfrom torch.distributions.kl import kl_divergence\n"
              "print(D is torch.distributions, kl_divergence is D.kl_divergence)")
    assert out.splitlines() == ["Categorical(logits: torch.Size([3]))", "True True"]
