"""engine.distributions' modules load on first read of a name, not with torch's other names:
a script that never uses them does not pay their import; one that does reaches them either
way (attribute or import), and under graphtui's `import torch` too."""
import pathlib
import subprocess
import sys

REPO = pathlib.Path(__file__).resolve().parents[3]


def run(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=REPO, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_the_api_does_not_load_the_distributions_until_read():
    out = run("import sys, engine\nengine.ones(1)\n"
              "loaded = lambda: sorted(m for m in sys.modules if m.startswith('engine.distri'))\n"
              "print(loaded())\nprint(engine.distributions.Normal(0.0, 1.0))\n"
              "print('engine.distributions.normal' in loaded(),"
              " 'Normal' in dir(engine.distributions))")
    assert out.splitlines() == ["['engine.distributions']", "Normal(loc: 0.0, scale: 1.0)",
                                "True True"]


def test_import_torch_then_torch_distributions_on_the_engine():
    out = run("from graphtui.backends import engine_as_torch\nengine_as_torch.install()\n"
              "import torch\nprint(torch.distributions.Categorical(logits=torch.zeros(3)))\n"
              "import torch.distributions as D\nfrom torch.distributions.kl import kl_divergence\n"
              "print(D is torch.distributions, kl_divergence is D.kl_divergence)")
    assert out.splitlines() == ["Categorical(logits: torch.Size([3]))", "True True"]
