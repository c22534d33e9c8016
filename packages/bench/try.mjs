import * as echarts from "echarts";
const chart = echarts.init(null, null, { renderer: "svg", ssr: true, width: 400, height: 300 });
chart.setOption({ animation: false, legend: {bottom: 0}, xAxis: { type: "value" }, yAxis: { type: "value" },
  series: [
    { type: "line", name: "pin-bias", symbol: "circle", symbolSize: 6, data: [[256, 1], [1024, 2], [4096, 3]] },
    { type: "line", name: "legacy-get (not swept)", symbol: "none", lineStyle: { type: "dashed" }, data: [[256, 2], [4096, 2]] },
    { type: "custom", name: "pin-bias", data: [[256, 0.5, 1.5], [1024, 1.5, 2.5]], renderItem: (p, api) => {
      const lo = api.coord([api.value(0), api.value(1)]); const hi = api.coord([api.value(0), api.value(2)]);
      return { type: "line", shape: { x1: lo[0], y1: lo[1], x2: hi[0], y2: hi[1] }, style: { stroke: "#f00", lineWidth: 1 } };
    } },
  ] });
const svg = chart.renderToSVGString();
console.log(svg.length);
console.log(svg.replace(/></g, ">\n<").split("\n").filter(l => !l.includes("<text")||true).slice(0, 200).join("\n"));
