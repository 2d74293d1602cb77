import { it } from 'vitest';
import { execa } from 'execa';
import { startLab } from '../helpers/lab.js';
it('probe', async () => {
  const lab = await startLab('tw-recycle-nat', { dataPlane: 'netns' });
  try {
    const dp: any = lab.dataPlane;
    const n2 = dp.nodeNs('node-2'), n1 = dp.nodeNs('node-1');
    console.log((await execa('ip', ['netns','exec',n1,'nft','list','ruleset'])).stdout);
    console.log((await execa('ip', ['netns','exec',n2,'nft','list','table','ip','netwiz-fault'])).stdout);
    console.log((await lab.kubectl(['get','pods','-o','wide'])).stdout);
    const tcpd = execa('ip', ['netns','exec',n2,'tcpdump','-n','-l','-i','any','tcp'], {reject:false, timeout: 20000});
    await new Promise(r=>setTimeout(r,1000));
    for (let i=0;i<6;i++){ const r = await lab.kubectl(['exec','client','--','curl','-s','-o','/dev/null','-w','%{http_code} %{local_port}','--max-time','2','http://10.96.66.74/']); console.log(i, r.stdout, r.exitCode); }
    tcpd.kill('SIGINT'); const t = await tcpd; console.log(t.stdout.split('\n').slice(0,40).join('\n'));
    console.log((await execa('ip', ['netns','exec',n2,'nft','list','counter','ip','netwiz-fault','paws_passive'])).stdout);
    console.log((await execa('ip', ['netns','exec',n1,'conntrack','-L'],{reject:false})).stdout);
  } finally { await lab.stop(); }
}, 120000);
